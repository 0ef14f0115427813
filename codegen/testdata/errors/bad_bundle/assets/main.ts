import { missing } from "./nowhere";

const x: number = ;
